"""Param and Params as in pyspark.ml.param: Param objects are attributes of their stage
(`hashingTF.numFeatures`), usable as keys of param maps and in ParamGridBuilder.addGrid."""
import copy as _copy
import weakref as _weakref


__all__ = ["Param", "Params", "TypeConverters"]


class TypeConverters:
    """PySpark's converters; thunderdome converts and checks values in the C++ binding, so
    these only exist for scripts that name them."""

    @staticmethod
    def identity(value):
        return value

    @staticmethod
    def toInt(value):
        return value

    toFloat = toString = toBoolean = toList = toListInt = toListFloat = toListString = toInt
    toVector = toMatrix = toInt


class Param:
    """A parameter of one stage instance: its parent's uid, name and doc. Equal Params (same
    parent uid and name) are equal dict keys."""

    def __init__(self, parent, name, doc, typeConverter=None):
        self.parent = parent if isinstance(parent, str) else parent.uid
        self.name = str(name)
        self.doc = str(doc)
        self.typeConverter = TypeConverters.identity if typeConverter is None else typeConverter
        self._owner = None if isinstance(parent, str) else parent

    def _copy_new_parent(self, parent):
        p = _copy.copy(self)
        p.parent = parent.uid
        p._owner = parent
        return p

    def __str__(self):
        return str(self.parent) + "__" + self.name

    def __repr__(self):
        return "Param(parent=%r, name=%r, doc=%r)" % (self.parent, self.name, self.doc)

    def __hash__(self):
        return hash(str(self))

    def __eq__(self, other):
        if isinstance(other, Param):
            return self.parent == other.parent and self.name == other.name
        return False


def _unwrap(value):
    """A Python value as the binding takes it (stages by their C++ handle)."""
    if isinstance(value, Params):
        return value._cpp
    return value


class Params:
    """Base of every stage, model and evaluator: params read and written by name on the C++
    object, with PySpark's methods."""

    _td_params = ()  # the registry's param declarations (dicts), set on generated classes
    _td_extra_params = ()  # params kept in Python only (a Pipeline's stages)

    def _bind(self, cpp):
        self._cpp = cpp
        cpp._td_wrapper = _weakref.ref(self)
        for spec in self._td_params:
            param = Param(self, spec["name"], spec["doc"])
            object.__setattr__(self, spec["name"], param)
        return self

    @property
    def uid(self):
        return self._cpp.uid

    @property
    def params(self):
        return sorted((getattr(self, s["name"]) for s in self._td_params), key=lambda p: p.name)

    def _resolveParam(self, param):
        if isinstance(param, Param):
            if param.parent != self.uid and param.parent != "undefined":
                raise ValueError("Param %r does not belong to %r." % (param, self))
            name = param.name
        elif isinstance(param, str):
            name = param
        else:
            raise TypeError("Cannot resolve %r as a param." % (param,))
        if not self._cpp.has_param(name):
            raise AttributeError("'%s' object has no param '%s'; its params: %s"
                                 % (type(self).__name__, name,
                                    ", ".join(s["name"] for s in self._td_params)))
        return name

    def hasParam(self, paramName):
        return isinstance(paramName, str) and self._cpp.has_param(paramName)

    def getParam(self, paramName):
        self._resolveParam(paramName)
        return getattr(self, paramName)

    def isSet(self, param):
        return self._cpp.is_set(self._resolveParam(param))

    def isDefined(self, param):
        return self._cpp.is_defined(self._resolveParam(param))

    def hasDefault(self, param):
        return self._cpp.has_default(self._resolveParam(param))

    def getOrDefault(self, param):
        name = self._resolveParam(param)
        if not self._cpp.is_defined(name):
            raise KeyError("Failed to find a default value for %s" % name)
        return self._from_cpp(name, self._cpp.get(name))

    def _from_cpp(self, name, value):
        kind = self._cpp.param_type(name)
        if kind == "stage":
            return None if value is None else _wrap(value)
        if kind == "param maps":
            return _param_maps_from_cpp(value, self)
        return value

    def _set(self, **kwargs):
        for name, value in kwargs.items():
            self._set_one(name, value)
        return self

    def _set_one(self, name, value):
        kind = self._cpp.param_type(name)
        if kind == "param maps" and value is not None:
            value = _param_maps_to_cpp(value)
        self._cpp.set(name, _unwrap(value))

    def set(self, param, value):
        self._set_one(self._resolveParam(param), value)

    def clear(self, param):
        self._cpp.clear(self._resolveParam(param))

    def explainParam(self, param):
        return self._cpp.explain_param(self._resolveParam(param))

    def explainParams(self):
        return self._cpp.explain_params()

    def extractParamMap(self, extra=None):
        out = {}
        for p in self.params:
            if self._cpp.is_defined(p.name):
                out[p] = self.getOrDefault(p.name)
        if extra:
            out.update(extra)
        return out

    def copy(self, extra=None):
        return _wrap(self._cpp.copy(_param_map_to_cpp(extra or {})))

    def __repr__(self):
        return self.uid


def _param_map_to_cpp(pm):
    """{Param: value} -> [(owner handle, name, value)]."""
    if not isinstance(pm, dict):
        raise TypeError("Param map must be a dict of Param -> value, not %s" % type(pm))
    out = []
    for param, value in pm.items():
        if not isinstance(param, Param):
            raise TypeError("Param map keys must be Param objects (e.g. lr.regParam), not %r" % (param,))
        if param._owner is None:
            raise ValueError("Param %r has no owning stage (use the stage instance's attribute, "
                             "e.g. lr.regParam, not LogisticRegression.regParam)" % (param,))
        out.append((param._owner._cpp, param.name, _unwrap(value)))
    return out


def _param_maps_to_cpp(maps):
    if isinstance(maps, dict):
        maps = [maps]
    return [_param_map_to_cpp(m) for m in maps]


def _owners(roots):
    """{uid: wrapper} for every stage and evaluator reachable from `roots`."""
    seen = {}
    todo = [r for r in roots if r is not None]
    while todo:
        p = todo.pop()
        if p.uid in seen:
            continue
        seen[p.uid] = p
        try:
            todo.extend(_wrap(s) for s in p._cpp.sub_stages())
        except Exception:
            pass
        for spec in p._td_params:
            if spec["type"] == "stage" and p._cpp.is_defined(spec["name"]):
                v = p._cpp.get(spec["name"])
                if v is not None:
                    todo.append(_wrap(v))
    return seen


def _param_maps_from_cpp(maps, holder):
    owners = _owners([holder])
    out = []
    for m in maps:
        d = {}
        for uid, name, value in m:
            owner = owners.get(uid)
            if owner is not None and owner.hasParam(name):
                d[getattr(owner, name)] = owner._from_cpp(name, value)
            else:
                d[Param(uid, name, "")] = value
        out.append(d)
    return out


_CLASSES = {}  # registry name -> generated Python class


def _wrap(cpp):
    """The Python object of a C++ stage, model or evaluator (of its generated class)."""
    if cpp is None:
        return None
    ref = getattr(cpp, "_td_wrapper", None)
    if ref is not None and ref() is not None:
        return ref()
    cls = _CLASSES.get(cpp.class_name())
    if cls is None:
        raise TypeError("no Python class for thunderdome class %s" % cpp.class_name())
    obj = cls.__new__(cls)
    return obj._bind(cpp)
