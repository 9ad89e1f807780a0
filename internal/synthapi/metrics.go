package synthapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// MetricPoint is one value of one training metric at one step.
type MetricPoint struct {
	Name  string
	Step  int64
	Value float64
	// CreatedAt is RFC 3339 UTC when the backend's time could be read,
	// otherwise the value as sent.
	CreatedAt string
	// Epoch and Phase are the optional fields of an SFT point (§10); Epoch
	// is nil when absent.
	Epoch *float64
	Phase string
}

// defaultMetricsLimit is the page size the SDK uses for metrics.
const defaultMetricsLimit = 200

// JobMetrics returns up to limit metric points with a step greater than
// afterStep (GET /rl/jobs/{id}/metrics). limit <= 0 means the SDK's page of
// 200; afterStep -1 starts from the beginning.
func (c *Client) JobMetrics(ctx context.Context, id string, afterStep int64, limit int) ([]MetricPoint, error) {
	return c.jobMetrics(ctx, "/rl/jobs", id, afterStep, limit)
}

func (c *Client) jobMetrics(ctx context.Context, route, id string, afterStep int64, limit int) ([]MetricPoint, error) {
	if id == "" {
		return nil, errors.New("listing job metrics: the job id is empty")
	}
	if limit <= 0 {
		limit = defaultMetricsLimit
	}
	q := url.Values{
		"after_step": {strconv.FormatInt(afterStep, 10)},
		"limit":      {strconv.Itoa(limit)},
	}
	resp, err := expect(c.call(ctx, http.MethodGet, jobPath(route, id, "/metrics"), q, nil, "", mayRetry))
	if err != nil {
		return nil, err
	}
	points, err := decodeMetrics(resp.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	return points, nil
}

// decodeMetrics accepts {"points": [...]} and a bare array. A point without
// a name or a numeric value carries nothing to show and is skipped.
func decodeMetrics(body []byte) ([]MetricPoint, error) {
	items, _, err := decodeFeed(body, "points")
	if err != nil {
		return nil, err
	}
	points := make([]MetricPoint, 0, len(items))
	for _, f := range items {
		value, err := strconv.ParseFloat(scalarString(f["value"]), 64)
		name := firstString(f, "name")
		if err != nil || name == "" {
			continue
		}
		p := MetricPoint{Name: name, Value: value, Phase: firstString(f, "phase")}
		if epoch, err := strconv.ParseFloat(scalarString(f["epoch"]), 64); err == nil {
			p.Epoch = &epoch
		}
		if step, err := strconv.ParseInt(scalarString(f["step"]), 10, 64); err == nil {
			p.Step = step
		}
		if p.CreatedAt = timeField(f["created_at"]); p.CreatedAt == "" {
			p.CreatedAt = scalarString(f["created_at"])
		}
		points = append(points, p)
	}
	return points, nil
}
