# Warnings are errors in our own code; third-party headers come in as SYSTEM includes.
add_library(fai_warnings INTERFACE)
target_compile_options(fai_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                                              -Wnon-virtual-dtor -Werror)
