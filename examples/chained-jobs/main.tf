# Two RL stages: the second trains from the model the first produced.
#
# Terraform plans the second job with its source model unknown and submits it
# once the first job has succeeded. Both stages share rl.toml. Settings come
# from the environment:
# SYNTH_API_KEY, ENVIRONMENT_API_KEY and TASK_APP_URL.

terraform {
  required_version = ">= 1.11"
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

# The first stage trains the base model rl.toml names.
resource "synth_rl_job" "warmup" {
  config_toml = file("${path.module}/rl.toml")

  tags = {
    stage = "warmup"
  }
}

# The second stage reuses the same TOML: the model set here replaces the
# TOML's [model].base, as `synth-ai train --model` does, and the training
# knobs set here override the TOML's.
resource "synth_rl_job" "refine" {
  config_toml = file("${path.module}/rl.toml")

  model = {
    source = synth_rl_job.warmup.output_model_id
    label  = "crafter-refined"
  }

  training = {
    num_epochs    = 2
    group_size    = 8
    learning_rate = 0.00001
  }

  tags = {
    stage = "refine"
  }
}

output "warmup_model" {
  value = synth_rl_job.warmup.output_model_id
}

output "refined_model" {
  value = synth_rl_job.refine.output_model_id
}
