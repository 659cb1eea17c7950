//! The predictor: an upload's answer, from the answer cache when these bytes were seen before,
//! else from the model — and the prediction stored in the caller's history.
//!
//! The request path: the body limit refuses oversized uploads (413); the quota layer
//! (`quota`) authenticates the caller and counts the request (one atomic step); the server
//! function reads the `file` field; here the bytes are sniffed, hashed and looked up in the
//! cache; on a miss the memory the decode can need is read from the image header and reserved
//! from the decode budget (503 when it cannot be had soon), then the image is decoded and
//! preprocessed on a blocking thread and classified by the engine's own threads behind their
//! bounded queue; the answer is cached and stored in the user's history.

use std::{
    io::Cursor,
    sync::Arc,
    time::{Duration, Instant},
};

use app::api::{
    NOT_AN_IMAGE, PredictResponse, Quota,
    backend::{Failure, Outcome},
};
use axum::http::StatusCode;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use trazo_model::{Engine, EngineError, MODEL_VERSION, PREPROCESS_VERSION, PreprocessError};

use crate::{
    accounts::sessions::Principal,
    admission::Bound,
    clock::now_ms,
    config::Config,
    failure::{database, internal},
    metrics::service::{BoundName, InFlight, InferenceMetrics, ServiceMetrics},
    predictions::answers::{Answer, AnswerCache},
    predictions::history::{History, HistoryError, HistoryRow},
};

/// Uploads that may wait for their share of the decode budget, and for how long.
const DECODE_WAITING: usize = 64;
const DECODE_MAX_WAIT: Duration = Duration::from_secs(5);

pub struct Predictor {
    engine: Arc<Engine>,
    /// Memory for decoding, in MiB: each upload reserves what its header says it can need.
    decode_budget: Bound,
    cache: AnswerCache,
    history: Arc<History>,
    metrics: InferenceMetrics,
    decode_refusals: metrics::Counter,
    inference_refusals: metrics::Counter,
}

impl Predictor {
    pub fn new(
        config: &Config,
        engine: Arc<Engine>,
        redis: Option<redis::Client>,
        history: Arc<History>,
        metrics: &ServiceMetrics,
    ) -> Self {
        metrics
            .inference
            .queue_capacity
            .set((engine.threads() + engine.queue_capacity()) as f64);
        Self {
            engine,
            decode_budget: Bound::new(
                u32::try_from(config.decode_memory_mib).unwrap_or(u32::MAX),
                DECODE_WAITING,
                DECODE_MAX_WAIT,
            ),
            cache: AnswerCache::new(
                redis,
                Duration::from_secs(config.prediction_cache_ttl_secs),
                metrics.cache.clone(),
            ),
            history,
            metrics: metrics.inference.clone(),
            decode_refusals: metrics.refusals(BoundName::Decode),
            inference_refusals: metrics.refusals(BoundName::Inference),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Classifies `upload`, from the cache when it has seen these bytes.
    async fn answer(&self, upload: Vec<u8>) -> Outcome<(Answer, bool)> {
        if trazo_model::preprocess::sniff(&upload).is_none() {
            return Err(Failure::new(StatusCode::BAD_REQUEST, NOT_AN_IMAGE));
        }
        let key = AnswerCache::key(&upload);
        if let Some(answer) = self.cache.get(&key).await {
            return Ok((answer, true));
        }
        // The header says how large the image is before any pixel is decoded; that much
        // memory is reserved for the whole decode, so many large images at once wait for
        // each other (or are refused) instead of exhausting memory.
        let needed = trazo_model::preprocess::memory_needed(&upload).map_err(preprocess_failure)?;
        let mib = u32::try_from(needed.div_ceil(1024 * 1024)).unwrap_or(u32::MAX);
        let reserved = self.decode_budget.enter(mib).await.map_err(|_| {
            self.decode_refusals.increment(1);
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is busy reading other images. Please try again in a second.",
            )
            .retry_after(1)
        })?;
        let preprocess_seconds = self.metrics.preprocess_seconds.clone();
        let prepared = tokio::task::spawn_blocking(move || {
            // Held by the decoding thread, so it is given back when the decode ends, even if
            // the request is abandoned first.
            let _reserved = reserved;
            let started = Instant::now();
            let prepared = trazo_model::preprocess(&upload);
            preprocess_seconds.record(started.elapsed());
            prepared
        })
        .await
        .map_err(|_| internal())?
        .map_err(preprocess_failure)?;
        let prediction = self.infer(prepared.input).await?;
        let answer = Answer {
            digit: prediction.digit,
            probabilities: prediction.probabilities.to_vec(),
            image: png_data_url(&prepared.image)?,
        };
        self.cache.put(key, answer.clone()).await;
        Ok((answer, false))
    }

    /// The engine's answer for one prepared input, timed, with the wait counted in the queue
    /// depth and a refusal by the full queue counted.
    async fn infer(&self, input: trazo_model::model::Input) -> Outcome<trazo_model::Prediction> {
        let _waiting = InFlight::new(&self.metrics.queue_depth);
        let started = Instant::now();
        let submitted = self.engine.submit(input).map_err(|error| {
            if matches!(error, EngineError::Busy) {
                self.inference_refusals.increment(1);
            }
            engine_failure(error)
        })?;
        let prediction = submitted.await.map_err(engine_failure)?;
        self.metrics.seconds.record(started.elapsed());
        Ok(prediction)
    }

    /// Classifies `upload` for `caller` and stores the prediction in their history. `quota`
    /// is what the quota layer counted, reported back with the answer.
    pub async fn predict(
        &self,
        caller: &Principal,
        upload: Vec<u8>,
        quota: Option<Quota>,
    ) -> Outcome<PredictResponse> {
        let (answer, cached) = self.answer(upload).await?;
        let probability = answer.confidence();
        let id = uuid::Uuid::new_v4().to_string();
        self.history
            .store(HistoryRow {
                id: id.clone(),
                user_id: caller.user.id.clone(),
                created_at_ms: now_ms(),
                digit: answer.digit,
                probability,
                cached,
                model_version: MODEL_VERSION,
                image: answer.image.clone(),
            })
            .await
            .map_err(history_failure)?;
        self.metrics.confidence.record(f64::from(probability));
        Ok(PredictResponse {
            prediccion: answer.digit,
            probabilidad: probability,
            cached,
            probabilities: answer.probabilities,
            model_version: MODEL_VERSION.to_owned(),
            preprocess_version: PREPROCESS_VERSION,
            image: answer.image,
            quota,
            id,
        })
    }
}

fn history_failure(error: HistoryError) -> Failure {
    match error {
        HistoryError::Database(error) => database(&error, "storing a prediction"),
        HistoryError::Stopped => internal(),
    }
}

/// Upload problems a person can fix, in words they understand.
fn preprocess_failure(error: PreprocessError) -> Failure {
    let msg = match error {
        PreprocessError::UnsupportedType => {
            return Failure::new(StatusCode::BAD_REQUEST, NOT_AN_IMAGE);
        }
        PreprocessError::Undecodable(_) => {
            "The image could not be read: the file looks damaged or incomplete."
        }
        PreprocessError::TooLarge => {
            "The image has too many pixels: at most 4096 × 4096. Please send a smaller picture."
        }
        PreprocessError::NoDigit => {
            "No digit found in the image. Draw or photograph a single digit with clear contrast."
        }
    };
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, msg)
}

fn engine_failure(error: EngineError) -> Failure {
    match error {
        EngineError::Busy => Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The recogniser is busy right now. Please try again in a second.",
        )
        .retry_after(1),
        EngineError::Stopped | EngineError::Model(_) => {
            tracing::error!(%error, "inference failed");
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The recogniser is not available right now. Please try again shortly.",
            )
            .retry_after(5)
        }
    }
}

/// The 28×28 grey image as a PNG data URL.
fn png_data_url(image: &[u8; 28 * 28]) -> Outcome<String> {
    let gray = image::GrayImage::from_raw(28, 28, image.to_vec()).ok_or_else(internal)?;
    let mut png = Cursor::new(Vec::new());
    gray.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|_| internal())?;
    Ok(format!(
        "data:image/png;base64,{}",
        STANDARD.encode(png.into_inner())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_problems_map_to_4xx() {
        assert_eq!(
            preprocess_failure(PreprocessError::UnsupportedType).status,
            StatusCode::BAD_REQUEST
        );
        for error in [
            PreprocessError::Undecodable("x".into()),
            PreprocessError::TooLarge,
            PreprocessError::NoDigit,
        ] {
            assert_eq!(
                preprocess_failure(error).status,
                StatusCode::UNPROCESSABLE_ENTITY
            );
        }
        let busy = engine_failure(EngineError::Busy);
        assert_eq!(
            (busy.status, busy.retry_after),
            (StatusCode::SERVICE_UNAVAILABLE, Some(1))
        );
    }
}
