// The web ACL in front of the distribution: a CAPTCHA rule on the upload grant. The CDK app renders it
// into AWS::WAFv2::WebACL and the local edge into its WAF stage, so the rule is written once.
//
// Facts (AWS WAF API reference, CaptchaAction and CustomRequestHandling): a request with a valid, unexpired
// CAPTCHA token continues like Count, with the rule's custom request headers inserted, their names
// prefixed "x-amzn-waf-"; without one WAF answers 405 with `x-amzn-waf-action: captcha`. Pages get a token
// from WAF's JavaScript CAPTCHA API and send it as `x-aws-waf-token`.
// https://docs.aws.amazon.com/waf/latest/APIReference/API_CaptchaAction.html
// https://docs.aws.amazon.com/waf/latest/developerguide/waf-captcha-and-challenge.html

export interface CaptchaRuleDeclaration {
  readonly name: string;
  /** The rule matches this exact path with one of these methods (a byte match on the URI path). */
  readonly path: string;
  readonly methods: readonly string[];
  /** How long a solved CAPTCHA's token is accepted (WAF's ImmunityTimeProperty). */
  readonly immunityTimeSeconds: number;
  /** The header inserted into matching requests with a valid token, without WAF's prefix. */
  readonly insertHeader: string;
}

export interface WebAclDeclaration {
  readonly name: string;
  readonly rules: readonly CaptchaRuleDeclaration[];
}

/** WAF puts this before every header name a rule inserts. */
export const wafInsertedHeaderPrefix = "x-amzn-waf-";
/** Where pages put the token WAF's JavaScript API gave them. */
export const wafTokenHeader = "x-aws-waf-token";

/** The header name as the origin sees it. */
export const insertedHeaderName = (rule: CaptchaRuleDeclaration) =>
  `${wafInsertedHeaderPrefix}${rule.insertHeader}`;

/** Only a person gets an upload grant: S3 space and the resizer's time are not free to bots. */
export const uploadCaptcha: CaptchaRuleDeclaration = {
  name: "goodgreets-upload-captcha",
  path: "/api/uploads",
  methods: ["POST"],
  immunityTimeSeconds: 300,
  insertHeader: "upload-captcha",
};

export const webAcl: WebAclDeclaration = { name: "goodgreets-web-acl", rules: [uploadCaptcha] };
