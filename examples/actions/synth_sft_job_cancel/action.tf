# Stop a fine-tune without destroying its resource:
#   terraform apply -invoke=action.synth_sft_job_cancel.stop
action "synth_sft_job_cancel" "stop" {
  config {
    id      = "job_0123456789abcdef"
    timeout = "5m"
  }
}
