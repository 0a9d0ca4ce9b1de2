# Tests against the real Kafka cluster: one cluster at a time on this machine's budget.
set_tests_properties(kafka.scaling_cost PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE RESOURCE_LOCK kafka-cluster)
