/**
 * Begini's webhook payloads and the items Begini Trigger emits for them, in one place.
 *
 * Begini documents the envelope and the `details` of most event types but publishes neither the value sets
 * (risk bands, trait keys, reasons) nor the details of every type, and adds types over time. So every field
 * below is optional and every string is free text: the code reads these shapes defensively and passes
 * anything else through untouched.
 */

export const KNOWN_EVENT_TYPES = [
	'psychometric_score.complete',
	'android_score.complete',
	'ios_score.complete',
	'application.complete',
	'application.expired',
	'application.incomplete',
	'application.cancelled',
] as const;

export type KnownEventType = (typeof KNOWN_EVENT_TYPES)[number];

/** A trait as Begini reports it: `value` is usually a decimal string such as "0.333333333333333". */
export interface BeginiTrait {
	key?: string;
	value?: unknown;
	risk_band?: string;
	[field: string]: unknown;
}

/** The result block of a score event. */
export interface BeginiCalculatedScore {
	score?: number;
	risk_band?: string;
	score_confidence?: string;
	traits?: BeginiTrait[];
	/** Begini mentions "flags" without publishing their key or shape; they pass through untouched. */
	[field: string]: unknown;
}

/** Times are integer Unix epoch seconds. Every `details` object may carry fields not listed here. */
export interface BeginiJourneyTimes {
	application_started_at?: number;
	application_completed_at?: number;
	[field: string]: unknown;
}

export interface PsychometricScoreDetails extends BeginiJourneyTimes {
	scored_at?: number;
	platform?: string;
	calculated?: BeginiCalculatedScore;
}

/** Begini does not publish the permission keys; these are the names its pages point to. */
export interface DeviceScoreDetails extends PsychometricScoreDetails {
	permissions_granted?: string[];
	permissions_denied?: string[];
}

interface BeginiEventOf<Type extends string, Details> {
	type: Type;
	details?: Details;
	reasons?: unknown[];
}

export type PsychometricScoreCompleteEvent = BeginiEventOf<'psychometric_score.complete', PsychometricScoreDetails>;
export type AndroidScoreCompleteEvent = BeginiEventOf<'android_score.complete', DeviceScoreDetails>;
export type IosScoreCompleteEvent = BeginiEventOf<'ios_score.complete', DeviceScoreDetails>;
export type ApplicationCompleteEvent = BeginiEventOf<'application.complete', BeginiJourneyTimes>;
export type ApplicationExpiredEvent = BeginiEventOf<'application.expired', Record<string, unknown>>;
/** Carries `reasons`; their item format is not published. */
export type ApplicationIncompleteEvent = BeginiEventOf<'application.incomplete', Record<string, unknown>>;
/** Carries `reasons`; their item format is not published. */
export type ApplicationCancelledEvent = BeginiEventOf<'application.cancelled', Record<string, unknown>>;
/** A type Begini adds later, or the test API's delivery: accepted and passed through as it is. */
export type UnknownBeginiEvent = BeginiEventOf<string, Record<string, unknown>>;

export type BeginiEvent =
	| PsychometricScoreCompleteEvent
	| AndroidScoreCompleteEvent
	| IosScoreCompleteEvent
	| ApplicationCompleteEvent
	| ApplicationExpiredEvent
	| ApplicationIncompleteEvent
	| ApplicationCancelledEvent
	| UnknownBeginiEvent;

/** The body of every delivery. Unknown top-level fields are allowed and kept. */
export interface BeginiPayload {
	uid?: string;
	integration_id?: string;
	event?: BeginiEvent;
	[field: string]: unknown;
}

/** Which credential key verified the delivery (`previous` while a key is being rotated). */
export type SigningKey = 'current' | 'previous';

export type BeginiEnvironment = 'production' | 'test';

/** Added to every item, simplified or not. */
export interface DeliveryMetadata {
	/** Stable id of this delivery: the retry memory's key, also usable downstream as an idempotency key. */
	deliveryId: string;
	/** When n8n received the delivery, ISO 8601. */
	receivedAt: string;
	/** From the credential, so one workflow can tell Test and Production apart. */
	environment: BeginiEnvironment;
	signedWithPreviousKey: boolean;
	/** Only with the "Include Request Headers" option; credential-like headers are redacted (see `redactHeaders`). */
	headers?: Record<string, string | string[]>;
}

export interface SimplifiedTrait {
	value: unknown;
	riskBand: string | null;
}

/** The item "Simplify" emits: flat, typed fields for Switch and IF nodes, plus the payload as received. */
export interface SimplifiedBeginiItem extends DeliveryMetadata {
	eventType: string | null;
	uid: string | null;
	integrationId: string | null;
	platform: string | null;
	score: number | null;
	riskBand: string | null;
	scoreConfidence: string | null;
	traits: Record<string, SimplifiedTrait>;
	reasons: unknown[];
	/** Device scores only; as Begini sends them (usually permission names). */
	permissionsGranted: unknown[] | null;
	permissionsDenied: unknown[] | null;
	applicationStartedAt: number | null;
	applicationStartedAtIso: string | null;
	applicationCompletedAt: number | null;
	applicationCompletedAtIso: string | null;
	scoredAt: number | null;
	scoredAtIso: string | null;
	payload: BeginiPayload;
}

/** The item emitted with "Simplify" off: the payload exactly as received under `body`. */
export interface RawBeginiItem extends DeliveryMetadata {
	body: BeginiPayload;
}
