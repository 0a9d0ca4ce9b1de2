# The evidence tests start the embedded cluster and headless Chromium (a few seconds each).
foreach(t sign_verify verify_openssl report_render compare)
  if(TEST evidence.${t})
    set_tests_properties(evidence.${t} PROPERTIES TIMEOUT 300)
  endif()
endforeach()
# Exit 77: the securesystemslib virtualenv cannot be made (no venv or pip).
if(TEST evidence.verify_sslib)
  set_tests_properties(evidence.verify_sslib PROPERTIES SKIP_RETURN_CODE 77)
endif()
