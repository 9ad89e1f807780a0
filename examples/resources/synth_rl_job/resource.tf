# A job from a whole TOML config, with the model and task app from variables
# and one training knob overridden.
resource "synth_rl_job" "from_toml" {
  config_toml = file("${path.module}/rl_from_ft.toml")

  model = {
    source = var.finetuned_model
  }

  services = {
    task_url = var.task_app_url
  }

  training = {
    batch_size = 32
  }

  timeouts = {
    create = "6h"
  }
}

# The same TOML trained from a base model instead, with HCL setting what
# differs: the model set here fills the TOML's [model], and the typed
# attributes override the keys they name.
resource "synth_rl_job" "from_base" {
  config_toml = file("${path.module}/rl_from_ft.toml")

  model = {
    base         = "Qwen/Qwen3-4B"
    trainer_mode = "full"
    label        = "crafter-rl-from-base"
  }

  services = {
    task_url = var.task_app_url
  }

  rollout = {
    episodes_per_batch = 32
  }

  training = {
    num_epochs    = 2
    learning_rate = 0.00005
  }

  tags = {
    team = "rl"
  }
}

variable "finetuned_model" {
  type        = string
  description = "The model to continue from, such as ft:Qwen/Qwen3-4B:job_123."
}

variable "task_app_url" {
  type = string
}

output "trained_model" {
  value = synth_rl_job.from_toml.output_model_id
}
