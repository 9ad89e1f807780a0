# A whole pipeline: deploy the task app on Modal, register its key with Synth,
# check it, and train from a fine-tuned model.
#
# Settings come from the environment: SYNTH_API_KEY for the backend and
# ENVIRONMENT_API_KEY for the task app's health checks.

terraform {
  required_version = ">= 1.11"
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

variable "modal_workspace" {
  type        = string
  description = "The Modal workspace the task app is deployed to."
}

variable "modal_app_name" {
  type        = string
  description = "The Modal app name of the task app."
  default     = "crafter-task-app"
}

variable "deploy_command" {
  type        = string
  description = "The command that deploys the task app."
  default     = "uvx synth-ai deploy task_app.py --name crafter-task-app"
}

variable "task_app_url" {
  type        = string
  description = "The task app's URL, when it is not the one Modal gives the app (for example a local task app)."
  default     = null
}

variable "environment_api_key" {
  type        = string
  description = "The task app's key, registered with the Synth backend so the trainer can call the app."
  sensitive   = true
  ephemeral   = true
}

variable "environment_api_key_version" {
  type        = number
  description = "Bump when environment_api_key changes, to upload it again."
  default     = 1
}

variable "finetuned_model" {
  type        = string
  description = "The model to continue from, such as ft:Qwen/Qwen3-4B:job_123."
}

locals {
  # Modal serves an ASGI app at https://<workspace>--<app>-fastapi-app.modal.run.
  modal_url    = "https://${var.modal_workspace}--${var.modal_app_name}-fastapi-app.modal.run"
  task_app_url = coalesce(var.task_app_url, local.modal_url)
}

resource "terraform_data" "task_app" {
  triggers_replace = [var.modal_app_name, var.deploy_command]
  input            = local.task_app_url

  provisioner "local-exec" {
    command = var.deploy_command
  }
}

resource "synth_environment_api_key" "task_app" {
  value_wo         = var.environment_api_key
  value_wo_version = var.environment_api_key_version
}

# Read once the app is deployed: fails with the reason if it is not healthy.
data "synth_task_app" "crafter" {
  url = terraform_data.task_app.output
}

resource "synth_rl_job" "crafter" {
  config_toml = file("${path.module}/rl_from_ft.toml")

  model = {
    source = var.finetuned_model
  }

  services = {
    task_url = terraform_data.task_app.output
  }

  # A cold Modal app can take a while to answer its first request.
  health_check_timeout = "5m"
  verify_with_backend  = true

  tags = {
    task = data.synth_task_app.crafter.task.name
  }

  depends_on = [synth_environment_api_key.task_app]
}

output "task_app_url" {
  value = terraform_data.task_app.output
}

output "trained_model" {
  value = synth_rl_job.crafter.output_model_id
}
