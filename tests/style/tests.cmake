set_tests_properties(style.format style.banned style.layers PROPERTIES TIMEOUT 60)
