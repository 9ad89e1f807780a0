package emulator

// ForgetEnvKey makes the backend forget the secret stored under name, as if
// it had never been uploaded: GET /v1/env-keys/verify answers
// {"present": false} for it, StoredEnvKeys no longer returns it and
// verify_task_app no longer tries it. A later upload under the same name
// gets a new id. Forgetting a name that is not stored does nothing.
func (e *Emulator) ForgetEnvKey(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.envKeys, name)
}
