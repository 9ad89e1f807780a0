# Start RL from a full fine-tune run with `synth-ai train --type sft`, outside
# this configuration.
data "synth_sft_job" "fft" {
  id = "job_0123456789abcdef"
}

resource "synth_rl_job" "policy" {
  model = {
    source = data.synth_sft_job.fft.fine_tuned_model
  }

  services = {
    task_url = "https://my-workspace--crafter-task-app-fastapi-app.modal.run"
  }

  lifecycle {
    precondition {
      condition     = data.synth_sft_job.fft.fine_tuned_model != null
      error_message = "SFT job ${data.synth_sft_job.fft.id} has no trained model yet: it is ${data.synth_sft_job.fft.status}."
    }
  }
}

output "fft_hyperparameters" {
  value = try(jsondecode(data.synth_sft_job.fft.hyperparameters_json), null)
}
