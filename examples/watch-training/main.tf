# Submit a job and watch it train, with the id safe in state first
# (Terraform 1.14 and 1.15; for 1.16 see examples/watch-training-1.16).
#
# wait_for_completion = false makes the create return as soon as the backend
# has the job. Terraform 1.14 and 1.15 save its id before they run the watch
# action triggered after the create, which then follows the job and prints
# its status changes, events and metrics into the apply's output; it fails the
# apply when the job fails. `terraform apply -invoke=action.synth_rl_job_watch.training`
# re-attaches to the job later, from any machine with the state.
#
# Terraform 1.16 runs this configuration too, but it runs an after_create
# action before it saves the created resource, and it warns that the action
# should name its job through `caller`, which 1.15 does not know.
#
# The provider reads its settings from the environment: SYNTH_API_KEY,
# SYNTH_BACKEND_URL, ENVIRONMENT_API_KEY and TASK_APP_URL. `make demo` points
# them at the local emulator.

terraform {
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

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
      events  = [after_create]
      actions = [action.synth_rl_job_watch.training]
    }
  }
}

action "synth_rl_job_watch" "training" {
  config {
    id = synth_rl_job.training.id
  }
}

# Stop it without destroying the resource:
#   terraform apply -invoke=action.synth_rl_job_cancel.training
action "synth_rl_job_cancel" "training" {
  config {
    id = synth_rl_job.training.id
  }
}

output "job_id" {
  value = synth_rl_job.training.id
}
