# Compiler settings shared by every target, attached per target through the
# INTERFACE library cicflow_settings rather than global options.
add_library(cicflow_settings INTERFACE)

target_compile_options(cicflow_settings INTERFACE
  $<$<COMPILE_LANGUAGE:C>:
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Wundef
    -Wwrite-strings -Wimplicit-fallthrough>
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>
  # Feature values must be bit-identical to the Java reference: never let
  # the compiler fuse a multiply and an add.
  -ffp-contract=off)

if(ENABLE_WERROR)
  target_compile_options(cicflow_settings INTERFACE -Werror)
endif()

if(ENABLE_SANITIZERS)
  set(san -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  target_compile_options(cicflow_settings INTERFACE ${san})
  target_link_options(cicflow_settings INTERFACE ${san})
endif()

# C11 without GNU extensions; POSIX interfaces are asked for explicitly.
target_compile_definitions(cicflow_settings INTERFACE
  _POSIX_C_SOURCE=200809L)
