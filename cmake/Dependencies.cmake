# Every dependency comes from a Debian 12 package (see tools/setup/apt-packages.txt).
find_package(OpenCV 4.6 REQUIRED COMPONENTS core imgproc imgcodecs videoio dnn)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)

if(FAI_WITH_TORCH)
  find_package(Torch REQUIRED)
  # Torch's imported targets carry include dirs that must not trigger our -Werror.
  add_library(fai_torch INTERFACE)
  target_link_libraries(fai_torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(fai_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
endif()

if(FAI_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(FAI_BUILD_APPS)
  find_package(benchmark REQUIRED)
endif()

# OpenCV's config exports plain include dirs: mark them SYSTEM.
add_library(fai_opencv INTERFACE)
target_link_libraries(fai_opencv INTERFACE ${OpenCV_LIBS})
target_include_directories(fai_opencv SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS})
