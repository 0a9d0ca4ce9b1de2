# Tests against a real Kafka cluster: one cluster at a time on this machine (fixed ports inside
# each test's private network namespace, 2 shared cores), so they run serially and share a lock
# with the fixture tests that start clusters.
foreach(t kafka.semantics_kafka kafka.kafka39 kafka.cluster_cleanup kafka.secret_canary_exec fixtures.kafka_fixture)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster TIMEOUT 600)
  endif()
endforeach()
if(TEST kafka.scaling_cost)
  set_tests_properties(kafka.scaling_cost PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster)
endif()
if(TEST kafka.location_kafka)
  set_tests_properties(kafka.location_kafka PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster)
endif()
if(TEST kafka.observability_kafka)
  set_tests_properties(kafka.observability_kafka PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster)
endif()
if(TEST kafka.scaling_tiered)
  set_tests_properties(kafka.scaling_tiered PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster)
endif()
if(TEST kafka.migration_kafka)
  set_tests_properties(kafka.migration_kafka PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster)
endif()
# Transactions under a frozen broker and a killed leader, plus the read_uncommitted negative control
# (two short scenarios on one cluster, about 3 minutes).
if(TEST kafka.failover_txn)
  set_tests_properties(kafka.failover_txn PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster)
endif()
# Distributed load against real Kafka: three short runs of 4 workers / 1 process (about 3 minutes).
if(TEST kafka.failover_dist_kafka)
  set_tests_properties(kafka.failover_dist_kafka PROPERTIES TIMEOUT 420 RUN_SERIAL TRUE
                        RESOURCE_LOCK kafka_cluster)
endif()
# Network partitions and a lossy link (nftables, cgroup v2) plus the acks=1 isolated-leader negative
# control (two short scenarios on one cluster, about 3 minutes).
if(TEST kafka.failover_partition)
  set_tests_properties(kafka.failover_partition PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE RESOURCE_LOCK kafka_cluster)
endif()
