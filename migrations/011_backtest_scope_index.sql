-- A backtest of one signal compares itself with the stored incidents that had an anomaly of that
-- signal in its period: read from this index, as anomalies_service_ts serves a backtest of a service.
CREATE INDEX anomalies_metric_ts ON anomalies (metric_name, ts);
