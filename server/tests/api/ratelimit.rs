//! The shared limiter against a real Redis: exact under concurrency, shared between instances,
//! and still limiting (in process) when Redis is gone.

use std::{sync::Arc, time::Duration};

use trazo_server::ratelimit::{Guard, Guarded, Limiter, Window};

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

#[tokio::test]
async fn a_guarded_hit_counts_only_while_its_key_holds_the_value_expected() {
    let limiter = redis_limiter();
    let key = uuid::Uuid::new_v4().to_string();
    let guard_key = format!("trazo-test:guard:{key}");
    let guard = |expected: u64| Guard {
        key: guard_key.clone(),
        expected,
    };
    let windows = hourly(&key, 5);

    // A missing key holds 0.
    let Guarded::Decided(first) = limiter.hit_guarded(&windows, &guard(0)).await else {
        panic!("a missing key holds 0");
    };
    assert!(first.allowed);
    assert_eq!(first.windows[0].remaining, 4);

    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let epoch: u64 = (1 << 53) - 7;
    redis::cmd("SET")
        .arg(&guard_key)
        .arg(epoch)
        .query_async::<()>(&mut connection)
        .await
        .expect("set");

    // The old value no longer holds: nothing is counted, and the value now held comes back
    // exactly (large values included).
    assert_eq!(
        limiter.hit_guarded(&windows, &guard(0)).await,
        Guarded::Moved { current: epoch }
    );
    let Guarded::Decided(second) = limiter.hit_guarded(&windows, &guard(epoch)).await else {
        panic!("the value held");
    };
    assert_eq!(
        second.windows[0].remaining, 3,
        "the moved step counted nothing"
    );
    assert_eq!(
        limiter.hit_guarded(&windows, &guard(epoch - 1)).await,
        Guarded::Moved { current: epoch }
    );
    // An unguarded hit is untouched by the guard's key.
    assert_eq!(limiter.hit(&windows).await.windows[0].remaining, 2);

    // Without Redis the guard cannot be checked, and says so.
    let alone = Limiter::new(None, "trazo-test:");
    assert!(matches!(
        alone.hit_guarded(&windows, &guard(epoch)).await,
        Guarded::Unchecked(decision) if decision.allowed
    ));
    redis::cmd("DEL")
        .arg(&guard_key)
        .query_async::<()>(&mut connection)
        .await
        .expect("del");
}
