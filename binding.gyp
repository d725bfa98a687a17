{
  "targets": [
    {
      "target_name": "task_sampler",
      "sources": ["native/task_sampler.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
