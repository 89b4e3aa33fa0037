/**
 * `wss://<edge>/ocpp/<chargePointId>` in AWS. OCPP 1.6J chargers are configured with a URL that
 * ends in their own id; an API Gateway WebSocket API has no path routing — it answers only at
 * `wss://<api>.execute-api.<region>.amazonaws.com/<stage>` and hands `$connect` the headers and
 * the query string, not a path parameter. So a CloudFront distribution stands in front of the
 * stage (CloudFront proxies WebSocket upgrades) and a CloudFront Function (viewer request) rewrites
 * `/ocpp/<id>` to `/<stage>?chargePointId=<id>`, which `ocpp-connect` reads; anything else is 404
 * at the edge. The upgrade's Authorization (Basic, security profile 1) and Sec-WebSocket-Protocol
 * headers reach the API through the cache policy (CloudFront strips Authorization from a GET unless
 * it is part of the cache key; a 101 upgrade is never cached), the other WebSocket headers through
 * the origin request policy.
 *
 * Domain: the distribution's own `*.cloudfront.net` name, or the operator's (context `ocppDomain`
 * + `ocppCertificateArn`, an ACM certificate in us-east-1), then TLS 1.2 minimum. The
 * execute-api URL stays reachable (WebSocket APIs take no resource policy) but needs the query
 * parameter and the same Basic auth.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';

export interface OcppEdgeProps {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  /** the operator's domain name for chargers (`ocpp.example.com`) and its us-east-1 ACM certificate */
  readonly domain?: { name: string; certificateArn: string };
}

/** the viewer-request function: `/ocpp/<id>` → `/<stage>?chargePointId=<id>`, anything else 404 */
export const ocppRewriteCode = (stageName: string): string => `function handler(event) {
  var request = event.request;
  var m = /^\\/ocpp\\/([^\\/?#]{1,64})\\/?$/.exec(request.uri);
  if (!m) return { statusCode: 404, statusDescription: 'Not Found' };
  request.uri = '/${stageName}';
  request.querystring = { chargePointId: { value: m[1] } };
  return request;
}`;

export class OcppEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** what chargers are configured with, before their id: `wss://<domain>/ocpp` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OcppEdgeProps) {
    super(scope, id);
    const rewrite = new cloudfront.Function(this, 'Rewrite', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'OCPP: /ocpp/<chargePointId> → the WebSocket stage with ?chargePointId=',
      code: cloudfront.FunctionCode.fromInline(ocppRewriteCode(props.stage.stageName)),
    });
    const cachePolicy = new cloudfront.CachePolicy(this, 'Upgrade', {
      comment: 'OCPP upgrade: Basic auth and subprotocol reach the API (nothing is cached: a 101 never is)',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization', 'Sec-WebSocket-Protocol'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    const originRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'WebSocketHeaders', {
      comment: 'OCPP upgrade: the WebSocket handshake headers',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(
        'Sec-WebSocket-Key',
        'Sec-WebSocket-Version',
        'Sec-WebSocket-Extensions',
      ),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
    });
    const apiHost = `${props.api.apiId}.execute-api.${props.api.stack.region}.${props.api.stack.urlSuffix}`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'OCPP 1.6J gateway: wss://<this>/ocpp/<chargePointId>',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP1_1,
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiHost, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy,
        originRequestPolicy,
        functionAssociations: [{ function: rewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.url = `wss://${props.domain?.name ?? this.distribution.distributionDomainName}/ocpp`;
  }
}
