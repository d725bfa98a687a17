{
  "targets": [
    {
      "target_name": "task_sampler",
      "sources": ["native/task_sampler.c"],
      "cflags": ["-O2", "-Wall"]
    },
    {
      "target_name": "cmdline_probe",
      "type": "executable",
      "sources": ["native/cmdline_probe.c"],
      "cflags": ["-O2", "-Wall", "-pthread"],
      "ldflags": ["-pthread"]
    },
    {
      "target_name": "flame_tree",
      "sources": ["native/flame_tree.c"],
      "cflags": ["-O2", "-Wall"]
    },
    {
      "target_name": "repro_workload",
      "type": "executable",
      "sources": ["native/repro_workload.c"],
      "cflags": ["-O2", "-Wall", "-pthread"],
      "ldflags": ["-pthread"]
    }
  ]
}
