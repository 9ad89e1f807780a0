# Successful jobs on one base model, as the backend lists them.
data "synth_rl_jobs" "qwen4b" {
  status = "succeeded"
  model  = "Qwen/Qwen3-4B"
  limit  = 50
}

output "trained_models" {
  value = [for job in data.synth_rl_jobs.qwen4b.jobs : job.output_model_id]
}
