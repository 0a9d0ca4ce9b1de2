# The revocation tests start servers (Kafka, local-kms, Kroxylicious, moto) in private network
# namespaces; the stack test runs one Kafka cluster, so it runs alone.
if(TEST revocation.revocation_stack)
  set_tests_properties(revocation.revocation_stack PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE
                       RESOURCE_LOCK kafka-cluster)
endif()
if(TEST revocation.kms_s3_adapters)
  set_tests_properties(revocation.kms_s3_adapters PROPERTIES TIMEOUT 300)
endif()
