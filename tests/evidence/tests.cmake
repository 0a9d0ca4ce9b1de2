# The evidence tests start the embedded cluster and headless Chromium (a few seconds each).
foreach(t sign_verify verify_openssl report_render compare)
  if(TEST evidence.${t})
    set_tests_properties(evidence.${t} PROPERTIES TIMEOUT 300)
  endif()
endforeach()
