set_tests_properties(style.format style.banned PROPERTIES TIMEOUT 60)
