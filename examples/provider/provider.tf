# Every setting can also come from the environment: SYNTH_API_KEY,
# SYNTH_BACKEND_URL, ENVIRONMENT_API_KEY and TASK_APP_URL.
provider "synth" {
  backend_url         = "https://api.usesynth.ai"
  api_key             = var.synth_api_key
  environment_api_key = var.environment_api_key
  task_app_url        = "https://my-workspace--crafter-task-app-fastapi-app.modal.run"
}

variable "synth_api_key" {
  type      = string
  sensitive = true
}

variable "environment_api_key" {
  type      = string
  sensitive = true
}
