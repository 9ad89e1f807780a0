# Follow a fine-tune in the terminal: status changes, events, and lines such as
#   step 8 · epoch 2 · train.loss 0.512 · val.loss 0.561 · 40s elapsed
#   terraform apply -invoke=action.synth_sft_job_watch.follow
action "synth_sft_job_watch" "follow" {
  config {
    id      = "job_0123456789abcdef"
    timeout = "12h"

    # At most one metrics line a minute, for a quiet log (default 30s, floor 5s).
    metrics_interval = "1m"
  }
}
