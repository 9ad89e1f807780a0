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

# A job declared entirely in HCL, trained from a base model.
resource "synth_rl_job" "from_base" {
  algorithm = {
    type    = "online"
    method  = "policy_gradient"
    variety = "gspo"
  }

  model = {
    base         = "Qwen/Qwen3-4B"
    trainer_mode = "full"
  }

  compute = {
    gpu_type  = "H100"
    gpu_count = 8
  }

  rollout = {
    env_name                = "crafter"
    policy_name             = "crafter-react"
    max_turns               = 10
    episodes_per_batch      = 64
    max_concurrent_rollouts = 8
    ops                     = ["agent", "env"]
  }

  training = {
    num_epochs           = 1
    iterations_per_epoch = 10
    max_turns            = 10
    batch_size           = 16
    group_size           = 4
    learning_rate        = 0.00005
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
