# The failover tests: the embedded run is quick; the real-Kafka run starts a 3-node cluster and
# runs two scenarios (about 6 minutes on 2 cores), alone.
set_tests_properties(failover.failover_embedded PROPERTIES TIMEOUT 180 RUN_SERIAL TRUE)
if(TEST kafka.failover_kafka)
  set_tests_properties(kafka.failover_kafka PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE
                        RESOURCE_LOCK kafka_cluster)
endif()
# Distributed load on the embedded cluster: three runs of 4 worker processes (about 2 minutes).
set_tests_properties(failover.failover_dist_embedded PROPERTIES TIMEOUT 400)
# Distributed load through an S3 shard store in moto (private network namespace).
if(TEST failover.failover_dist_s3)
  set_tests_properties(failover.failover_dist_s3 PROPERTIES TIMEOUT 300)
endif()
