# Source lists by layer. Globs keep adding a module to a one-file change; the
# layer a file belongs to is decided by its directory (see docs/ARCHITECTURE.md).
# The core: src/<subsystem>/*.c (util, config, engine, dist, platform, adapters, evidence, sign).
file(GLOB KP_CORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/*/*.c)
list(FILTER KP_CORE_SOURCES EXCLUDE REGEX "/src/cli/")
file(GLOB KP_REPORT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/report/*.c)
file(GLOB KP_SUITE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/suites/*.c
     ${CMAKE_SOURCE_DIR}/suites/*/*.c)
file(GLOB KP_CLI_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/cli/*.c)
