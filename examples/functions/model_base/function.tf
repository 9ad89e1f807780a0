# Label a job with the base it trains from, whether it starts from a base model
# or from a fine-tuned one.
terraform {
  required_version = ">= 1.8" # provider functions
  required_providers {
    # Provider functions are found only through required_providers.
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

variable "start_from" {
  type    = string
  default = "fft:Qwen/Qwen3-0.6B:job_24faa0fdfdf648b9"
}

resource "synth_rl_job" "continue" {
  model = {
    source = var.start_from
  }

  services = {
    task_url = "https://my-workspace--crafter-task-app-fastapi-app.modal.run"
  }

  tags = {
    base_model = provider::synth::model_base(var.start_from) # "Qwen/Qwen3-0.6B"
  }
}
