# The fine-tunes that succeeded this year, in the order the backend lists them.
data "synth_sft_jobs" "done" {
  status        = "succeeded"
  created_after = "2026-01-01T00:00:00Z"
  limit         = 50
}

output "trained_models" {
  value = [for job in data.synth_sft_jobs.done.jobs : job.fine_tuned_model if job.fine_tuned_model != null]
}
