# The fine-tunes of Qwen/Qwen3-4B that succeeded since January, with the whole
# resource object, ready for `terraform query -generate-config-out=sft_jobs.tf`.
list "synth_sft_job" "qwen3_4b" {
  provider         = synth
  include_resource = true
  limit            = 50

  config {
    status        = ["succeeded"]
    model         = "Qwen/Qwen3-4B"
    created_after = "2026-01-01T00:00:00Z"
  }
}
