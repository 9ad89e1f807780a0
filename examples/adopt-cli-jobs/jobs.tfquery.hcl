# The running jobs that train Qwen/Qwen3-4B, whoever started them.
# include_resource fills each result as `terraform import` would, which is what
# -generate-config-out writes into the resource blocks.
list "synth_rl_job" "running_qwen3_4b" {
  provider         = synth
  include_resource = true

  config {
    status = ["running"]
    model  = "Qwen/Qwen3-4B"
  }
}
