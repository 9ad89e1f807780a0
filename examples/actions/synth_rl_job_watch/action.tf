# Follow a running job in the terminal:
#   terraform apply -invoke=action.synth_rl_job_watch.follow
action "synth_rl_job_watch" "follow" {
  config {
    id      = "job_0123456789abcdef"
    timeout = "6h"
  }
}
