import { describe, expect, it } from 'vitest';
import { PageRenderer } from '../../../main/workload/exposition.js';
import { meshFamilies, meshModel, type MeshDialect } from '../../../main/workload/mesh.js';
import { createParser } from '../../../main/scrape/parse/parser.js';

const page = (dialect: MeshDialect, seed = 1) => new PageRenderer(meshFamilies(meshModel(seed), dialect)).render();

describe('W-mesh demo mesh', () => {
  it('has ~30 services with fan-out, retries, a failing dependency, a slow edge, an external caller and egress', () => {
    const m = meshModel(1);
    expect(m.services.length).toBeGreaterThanOrEqual(28);
    expect(m.services.length).toBeLessThanOrEqual(32);
    const outDegree = new Map<string, number>();
    for (const e of m.edges) outDegree.set(e.src, (outDegree.get(e.src) ?? 0) + 1);
    expect(Math.max(...outDegree.values())).toBeGreaterThanOrEqual(8);
    expect(m.edges.filter((e) => e.failRatio >= 0.3)).toHaveLength(1);
    expect(m.edges.filter((e) => e.latencyMeanMs >= 500)).toHaveLength(1);
    expect(m.edges.some((e) => e.kind === 'ingress')).toBe(true);
    expect(m.edges.some((e) => e.kind === 'egress')).toBe(true);
    expect(m.edges.some((e) => e.note?.includes('retries'))).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(meshModel(5)).toEqual(meshModel(5));
    expect(meshModel(5)).not.toEqual(meshModel(6));
    expect(page('istio', 2)).toBe(page('istio', 2));
  });

  it('counts exactly rate × elapsed, so expected figures come from the model', () => {
    const m = meshModel(1);
    const fams = meshFamilies(m, 'otel', { startSec: 100, integer: false });
    const total = fams.find((f) => f.name === 'traces_service_graph_request')!;
    for (const mem of total.members) mem.advance(15);
    const e = m.edges.find((x) => x.src === 'recommendations' && x.dst === 'ml-scorer')!;
    const member = total.members.find((x) => x.labels.includes('client="recommendations",server="ml-scorer"'))!;
    expect(member.values[0]).toBeCloseTo(e.rps * 115, 9);
  });

  it('uses each dialect’s label sets and parses as Prometheus text', () => {
    const linkerd = page('linkerd');
    expect(linkerd).toMatch(/^request_total\{authority="catalog\.shop\.svc\.cluster\.local:8080",direction="outbound",dst_control_plane_ns="linkerd",dst_deployment="catalog",dst_namespace="shop",dst_pod="[^"]+",dst_pod_template_hash="[^"]+",dst_service="catalog",dst_serviceaccount="catalog",tls="true",server_id="catalog\.shop\.serviceaccount\.identity\.linkerd\.cluster\.local",namespace="edge",pod="[^"]+",deployment="api-gateway",control_plane_ns="linkerd"\} \d+$/m);
    expect(linkerd).toMatch(/^response_total\{.*classification="failure",grpc_status="",status_code="503"\} \d+$/m);
    expect(linkerd).toMatch(/^response_latency_ms_bucket\{.*le="\+Inf"\} \d+$/m);
    expect(linkerd).toMatch(/^request_total\{direction="inbound",tls="no_identity",no_tls_reason="not_provided_by_remote",namespace="edge",pod="[^"]+",deployment="web",control_plane_ns="linkerd"\}/m);
    const istio = page('istio');
    expect(istio).toMatch(/^istio_requests_total\{reporter="destination",source_workload="unknown",source_workload_namespace="unknown",.*destination_workload="web",destination_workload_namespace="edge",/m);
    expect(istio).toMatch(/^istio_requests_total\{reporter="source",source_workload="payment",.*destination_service_name="api\.stripe\.com",/m);
    expect(istio).toMatch(/connection_security_policy="mutual_tls"/);
    expect(istio).toMatch(/^istio_request_duration_milliseconds_bucket\{.*le="3\.6e\+06"\}|^istio_request_duration_milliseconds_bucket\{.*le="3600000"\}/m);
    const otel = page('otel');
    expect(otel).toMatch(/^traces_service_graph_request_total\{client="user",server="web",connection_type="virtual_node"\} \d+$/m);
    expect(otel).toMatch(/^traces_service_graph_request_failed_total\{client="recommendations",server="ml-scorer",connection_type=""\} \d+$/m);
    expect(otel).toMatch(/^traces_service_graph_request_server_seconds_bucket\{client="catalog",server="postgres",connection_type="database",le="0\.002"\} \d+$/m);
    for (const text of [linkerd, istio, otel]) {
      const p = createParser(new TextEncoder().encode(text), 'text/plain; version=0.0.4');
      let series = 0;
      for (let k = p.next(); k !== 'eof'; k = p.next()) if (k === 'series') series += p.labels().length > 0 ? 1 : 0;
      expect(series).toBeGreaterThan(100);
    }
  });
});
