# location tests that start servers (moto) in private network namespaces.
if(TEST location.location_s3)
  set_tests_properties(location.location_s3 PROPERTIES TIMEOUT 300)
endif()
