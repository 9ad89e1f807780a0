data "synth_task_app" "crafter" {
  url   = "https://my-workspace--crafter-task-app-fastapi-app.modal.run"
  seeds = [0, 1, 2]
}

output "task" {
  value = data.synth_task_app.crafter.task.name
}

output "first_instance" {
  value = jsondecode(data.synth_task_app.crafter.instances[0].json)
}
