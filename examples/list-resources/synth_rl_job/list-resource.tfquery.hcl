# Every job of the "search" team that finished well in January, with the whole
# resource object, ready for `terraform query -generate-config-out=jobs.tf`.
list "synth_rl_job" "search_january" {
  provider         = synth
  include_resource = true
  limit            = 50

  config {
    status         = ["succeeded"]
    model          = "Qwen/Qwen3-4B"
    created_after  = "2026-01-01T00:00:00Z"
    created_before = "2026-02-01T00:00:00Z"
    tags           = { team = "search" }
  }
}
