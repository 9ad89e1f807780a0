# The FFT-first pipeline in one configuration: a Crafter dataset is uploaded,
# Qwen/Qwen3-4B is fully fine-tuned on it, and an RL job trains the fine-tune's
# checkpoint against the Crafter task app. This is what `synth-ai train --type
# sft` (or run_fft_and_save.py), copying ft_model_id.txt into a variable and
# `synth-ai train --type rl` do by hand.
#
# Changing a line of train.jsonl uploads a new file, which replaces the
# fine-tune, which replaces the RL job; nothing else changes.
#
# The provider reads its settings from the environment: SYNTH_API_KEY,
# SYNTH_BACKEND_URL, ENVIRONMENT_API_KEY and TASK_APP_URL. `make demo` points
# them at the local emulator.

terraform {
  required_version = ">= 1.11"
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

# The datasets: chat records of a Crafter agent, one JSON object per line.
# The plan checks every line before anything is uploaded. A relative path
# would be read from the directory Terraform runs in, so name the files
# through path.module.
resource "synth_training_file" "train" {
  path = "${path.module}/train.jsonl"
}

resource "synth_training_file" "validation" {
  path = "${path.module}/validation.jsonl"
}

# The full fine-tune. sft.toml is the CLI's config as it is; the uploaded
# files take the place of its [job].data and [data].validation_path. The apply
# waits until the job has succeeded and named its model (fft:Qwen/Qwen3-4B:…).
resource "synth_sft_job" "fft" {
  config_toml        = file("${path.module}/sft.toml")
  training_file_id   = synth_training_file.train.id
  validation_file_id = synth_training_file.validation.id
}

# Fails the plan early, with the reason, when the task app is down or refuses
# the key: before any GPU time is spent on the fine-tune.
data "synth_task_app" "crafter" {
  seeds = [0]
}

# RL from the fine-tune's checkpoint, in the same apply: its source is unknown
# until the fine-tune has finished, and it is submitted as soon as it has.
resource "synth_rl_job" "crafter" {
  config_toml = file("${path.module}/rl.toml")

  model = {
    source = synth_sft_job.fft.fine_tuned_model
  }

  tags = {
    pipeline = "fft-first"
    task     = data.synth_task_app.crafter.task.name
  }
}

output "training_file_id" {
  value = synth_training_file.train.id
}

output "fft_model" {
  description = "The full fine-tune's model, fft:<base>:<job id>: what run_fft_and_save.py wrote to ft_model_id.txt."
  value       = synth_sft_job.fft.fine_tuned_model
}

output "rl_policy" {
  description = "The RL job's trained policy, rl:<base>:<job id>[:<checkpoint>]."
  value       = synth_rl_job.crafter.output_model_id
}

# The chain taken apart by the provider's functions (Terraform 1.8+): the
# base model both stages trained, and which job produced each model.
output "lineage" {
  value = {
    base_model = provider::synth::model_base(synth_rl_job.crafter.output_model_id)
    fft_job    = provider::synth::parse_model_id(synth_sft_job.fft.fine_tuned_model).job_id
    rl_job     = provider::synth::parse_model_id(synth_rl_job.crafter.output_model_id).job_id
  }
}
