# Follow a running job in the terminal:
#   terraform apply -invoke=action.synth_rl_job_watch.follow
action "synth_rl_job_watch" "follow" {
  config {
    id      = "job_0123456789abcdef"
    timeout = "6h"

    # At most one metrics line a minute, for a quiet log (default 30s, floor 5s).
    metrics_interval = "1m"
  }
}
