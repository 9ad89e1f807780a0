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
		p.CreatedAt = timeOrAsSent(f["created_at"])
		points = append(points, p)
	}
	return points, nil
}

// MetricsSource is what reading a job's metrics needs; *Client implements it.
type MetricsSource interface {
	JobMetrics(ctx context.Context, id string, afterStep int64, limit int) ([]MetricPoint, error)
}

// MetricValue is a metric's value at the highest step it was reported for.
type MetricValue struct {
	Value float64
	Step  int64
}

// maxMetricsPages bounds LatestMetrics: 200,000 points, far more than any
// training reports, and a stop for a backend whose cursor never ends.
const maxMetricsPages = 1000

// LatestMetrics reads a job's whole metrics feed and returns the last value
// of each series with the step it was reached at.
func LatestMetrics(ctx context.Context, src MetricsSource, id string) (map[string]MetricValue, error) {
	c := newMetricsCursor()
	for range maxMetricsPages / maxEventPages {
		_, done, err := c.read(ctx, src, id)
		if err != nil {
			return nil, err
		}
		if done {
			return c.latest, nil
		}
	}
	return nil, fmt.Errorf("reading the metrics of job %s: more than %d pages", id, maxMetricsPages)
}

// metricsCursor follows a job's metrics feed by step, keeping the latest
// value of each series.
type metricsCursor struct {
	afterStep int64
	latest    map[string]MetricValue
	// epoch is the epoch of the highest step a point named one (§10),
	// nil when none did.
	epoch     *float64
	epochStep int64
}

func newMetricsCursor() *metricsCursor {
	return &metricsCursor{afterStep: -1, latest: map[string]MetricValue{}}
}

// read pages through the points after the cursor, up to maxEventPages pages.
// fresh reports whether any point arrived, done whether the feed was read to
// its end.
func (c *metricsCursor) read(ctx context.Context, src MetricsSource, id string) (fresh, done bool, err error) {
	for range maxEventPages {
		points, err := src.JobMetrics(ctx, id, c.afterStep, defaultMetricsLimit)
		if err != nil {
			return fresh, false, err
		}
		cursor := c.afterStep
		for _, p := range points {
			if p.Step <= c.afterStep {
				continue // a backend that ignored after_step
			}
			if last, seen := c.latest[p.Name]; !seen || p.Step >= last.Step {
				c.latest[p.Name] = MetricValue{Value: p.Value, Step: p.Step}
			}
			if p.Epoch != nil && (c.epoch == nil || p.Step >= c.epochStep) {
				c.epoch, c.epochStep = p.Epoch, p.Step
			}
			cursor = max(cursor, p.Step)
			fresh = true
		}
		if len(points) < defaultMetricsLimit || cursor == c.afterStep {
			c.afterStep = cursor
			return fresh, true, nil
		}
		// A full page may have cut the last step's points short: read on
		// from the step before it, so the next page repeats that step whole
		// (its values only overwrite the same ones).
		c.afterStep = max(cursor-1, c.afterStep+1)
	}
	return fresh, false, nil
}
