//! The shared limiter against a real Redis: exact under concurrency, shared between instances,
//! and still limiting (in process) when Redis is gone.

use std::{sync::Arc, time::Duration};

use trazo_server::ratelimit::{Limiter, Window};

use crate::helpers::{closed_port_url, redis_url};

fn hourly(key: &str, limit: u64) -> Vec<Window> {
    vec![
        Window {
            key: format!("{key}:hour"),
            limit,
            period: Duration::from_secs(3600),
        },
        Window {
            key: format!("{key}:day"),
            limit: limit * 4,
            period: Duration::from_secs(86400),
        },
    ]
}

fn redis_limiter() -> Arc<Limiter> {
    let client = redis::Client::open(redis_url()).expect("redis url");
    Arc::new(Limiter::new(Some(client), "trazo-test:"))
}

async fn admitted(limiters: &[Arc<Limiter>], key: &str, limit: u64, requests: usize) -> usize {
    let tasks: Vec<_> = (0..requests)
        .map(|i| {
            let limiter = limiters[i % limiters.len()].clone();
            let windows = hourly(key, limit);
            tokio::spawn(async move { limiter.hit(&windows).await.allowed })
        })
        .collect();
    let mut count = 0;
    for task in tasks {
        if task.await.expect("task") {
            count += 1;
        }
    }
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_simultaneous_hits_admit_exactly_the_fifty_allowed() {
    let limiter = redis_limiter();
    let key = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        admitted(std::slice::from_ref(&limiter), &key, 50, 200).await,
        50
    );
    assert!(!limiter.is_degraded());
    let after = limiter.hit(&hourly(&key, 50)).await;
    assert!(!after.allowed);
    assert_eq!(after.windows[0].remaining, 0);
    assert_eq!(after.windows[1].remaining, 150, "refusals are not counted");
    assert!(after.retry_after() > Duration::from_secs(3500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sharing_redis_share_the_limit_exactly() {
    let instances = [redis_limiter(), redis_limiter()];
    let key = uuid::Uuid::new_v4().to_string();
    assert_eq!(admitted(&instances, &key, 50, 200).await, 50);
}

#[tokio::test]
async fn with_redis_down_limits_still_hold_in_process() {
    let client = redis::Client::open(closed_port_url("redis")).expect("url");
    let limiter = Arc::new(Limiter::new(Some(client), "trazo-test:"));
    let key = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        admitted(std::slice::from_ref(&limiter), &key, 5, 20).await,
        5
    );
    assert!(limiter.is_degraded());
}

#[tokio::test]
async fn clearing_a_key_gives_its_allowance_back() {
    let limiter = redis_limiter();
    let key = uuid::Uuid::new_v4().to_string();
    let windows = vec![Window {
        key: key.clone(),
        limit: 1,
        period: Duration::from_secs(60),
    }];
    assert!(limiter.hit(&windows).await.allowed);
    assert!(!limiter.hit(&windows).await.allowed);
    limiter.clear(&key).await;
    assert!(limiter.hit(&windows).await.allowed);
}
