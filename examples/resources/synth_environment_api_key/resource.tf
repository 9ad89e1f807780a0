# Register the task app's key with the backend once, so that the trainer can
# call the task app. The key comes from an ephemeral variable: it is sealed
# for the backend and never written to the plan or the state.
variable "environment_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "synth_environment_api_key" "task_app" {
  value_wo = var.environment_api_key

  # Bump after rotating the key: Terraform cannot see a write-only value
  # change, so this is what uploads the new one.
  value_wo_version = 1
}

# Make the job wait for the key, and let the backend check that it works.
resource "synth_rl_job" "crafter" {
  model = {
    base = "Qwen/Qwen3-4B"
  }

  services = {
    task_url = "https://my-workspace--crafter-task-app-fastapi-app.modal.run"
  }

  verify_with_backend = true

  depends_on = [synth_environment_api_key.task_app]
}
