# The CLI tests start embedded clusters (in-process) and take seconds to a minute each.
set_tests_properties(cli.quickstart PROPERTIES TIMEOUT 300)
