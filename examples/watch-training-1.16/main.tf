# Submit a job and watch it train on Terraform 1.16+, with the job id safe in
# state before a long watch.
#
# Terraform 1.16 runs an after_create action before it reports the resource
# created, and saves the resource's state only after the action ends. A watch
# triggered after the create therefore runs while the new job id is not yet in
# the state file. For a long training, submit first and watch second:
#
#   terraform apply -var watch_after_create=false
#       submits the job; wait_for_completion = false returns as soon as the
#       backend has it, and the id is saved at once
#   terraform apply -invoke=action.synth_rl_job_watch.training
#       follows the job; run it again, from any machine with the state, to
#       re-attach
#
# With the default (watch_after_create = true) the watch follows the job in
# the same apply. If that apply is killed during the watch, the next plan finds
# the running job on the backend and names the import block that adopts it,
# so it is never submitted twice.
#
# The provider reads its settings from the environment: SYNTH_API_KEY,
# SYNTH_BACKEND_URL, ENVIRONMENT_API_KEY and TASK_APP_URL.

terraform {
  required_version = ">= 1.16.0"

  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

variable "watch_after_create" {
  description = "Watch the training in the apply that submits it."
  type        = bool
  default     = true
}

resource "synth_rl_job" "training" {
  model = {
    base  = "Qwen/Qwen3-4B"
    label = "crafter-watched"
  }

  training = {
    num_epochs = 1
    batch_size = 16
  }

  wait_for_completion = false

  lifecycle {
    action_trigger {
      events    = [after_create]
      condition = var.watch_after_create
      actions   = [action.synth_rl_job_watch.training]
      # A failed training is shown by the watch and kept in state, but does
      # not fail the apply, so the rest of the configuration is still applied.
      on_failure = continue
    }
  }
}

action "synth_rl_job_watch" "training" {
  config {
    # `caller` is the resource whose trigger runs the action (Terraform
    # 1.16+). Naming synth_rl_job.training here instead draws a warning on
    # 1.16, and a reference cycle error once the trigger has a condition.
    id = caller.id
  }
}

output "job_id" {
  value = synth_rl_job.training.id
}
