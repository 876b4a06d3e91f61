// include/thunderdome/thunderdome.h — the umbrella header: everything a pipeline user needs.
#pragma once

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/params.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/io/csv.h"
#include "thunderdome/io/libsvm.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/param_grid_builder.h"
#include "thunderdome/tuning/train_validation_split.h"
