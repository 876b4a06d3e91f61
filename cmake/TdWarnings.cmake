# td_warnings: the warning flags every thunderdome target builds with.
add_library(td_warnings INTERFACE)
target_compile_options(td_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter
                       $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
if(TD_WERROR)
  target_compile_options(td_warnings INTERFACE -Werror)
endif()
install(TARGETS td_warnings EXPORT thunderdomeTargets COMPONENT dev)
