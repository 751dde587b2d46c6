# Warnings are errors in our own code; third-party headers come in as SYSTEM includes.
add_library(fai_warnings INTERFACE)
target_compile_options(fai_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                                              -Wnon-virtual-dtor -Werror)
# GCC 12 at -O2/-O3 reports -Wrestrict inside libstdc++'s own std::string concatenation
# (GCC bug 105329, fixed in GCC 13): a false positive we cannot fix in our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(fai_warnings INTERFACE -Wno-restrict)
endif()
