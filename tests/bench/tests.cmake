# The benchmark's smoke test runs the embedded measurements at small sizes (about a minute on a
# loaded 2-core machine); it checks that figures are produced, never how fast they are.
set_tests_properties(bench.bench_smoke PROPERTIES TIMEOUT 180 RUN_SERIAL TRUE)
