-- The developer events an applied Stripe event owes, kept with the event until
-- they are queued (a crash between the two is mended by Stripe's redelivery).
ALTER TABLE "stripe_events" ADD COLUMN "notices" text;
