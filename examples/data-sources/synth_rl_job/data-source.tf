# Continue training from a job submitted outside this configuration.
data "synth_rl_job" "previous" {
  id = "job_0123456789abcdef"
}

resource "synth_rl_job" "next" {
  model = {
    source = data.synth_rl_job.previous.output_model_id
  }

  services = {
    task_url = "https://my-workspace--crafter-task-app-fastapi-app.modal.run"
  }

  lifecycle {
    precondition {
      condition     = data.synth_rl_job.previous.status == "succeeded"
      error_message = "Job ${data.synth_rl_job.previous.id} has not succeeded: ${data.synth_rl_job.previous.status}."
    }
  }
}

output "previous_config" {
  value = try(jsondecode(data.synth_rl_job.previous.config_json), null)
}
